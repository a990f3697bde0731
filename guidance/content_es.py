"""The Spanish text of each piece of the advice library (guidance/content.py).

Written for Spanish-speaking clients and therapists in the United States, in
neutral Latin-American Spanish, addressing the reader as "usted" throughout:
the form of address of the validated Spanish PHQ-9 and GAD-7 the portal uses.
Therapist pieces use "usted" too, and so do the questions they suggest asking
the client. Each entry keeps its English piece's meaning, caveats and crisis
instructions. The research field and the article titles (SOURCES) are not
translated; they are shared with the English piece. The data migrations load
these texts into the Spanish fields (content.load_advice and
content.load_spanish), where no Spanish has been written in the admin; advice
is never machine-translated at run time.

Keys match ADVICE exactly, and each "questions" list has as many items as the
English one, in the same order.
"""

ADVICE_ES = {
    # ------------------------------------------------------------------
    # Client pieces
    # ------------------------------------------------------------------
    "open-a-dialogue": {
        "title": "Dígalo en voz alta: cuéntele a su terapeuta que la terapia parece estancada",
        "body": (
            "Si siente que la terapia no lleva a ninguna parte, eso no es un fracaso de nadie, ni "
            "suyo ni de su terapeuta. Antes de cambiar algo, dígaselo. Cuéntele qué esperaba que "
            "fuera diferente a estas alturas y qué tan lejos se siente de eso. Puede que esa "
            "conversación no resuelva las cosas en el momento, pero suele ser la forma más rápida "
            "de descubrir qué hace falta."
        ),
        "questions": [],
    },
    "timeline-too-early": {
        "title": "Con unas pocas sesiones, es muy pronto para juzgar",
        "body": (
            "Un cambio duradero rara vez aparece en las primeras sesiones, y un buen comienzo "
            "tampoco garantiza lo que sigue. Pregúntese cuántas sesiones ha tenido, dónde esperaba "
            "estar a estas alturas y si algo ha cambiado recientemente en sus sesiones. Si todavía "
            "está cerca del comienzo, por lo general vale la pena darle un poco más de tiempo."
        ),
        "questions": [],
    },
    "reassess-expectations": {
        "title": "Revise qué esperaba usted de la terapia",
        "body": (
            "La terapia rara vez es un arreglo rápido, y a veces no es un arreglo en absoluto, "
            "sino un cambio más lento. Si esperó mucho tiempo antes de empezar, quizás llegó con "
            "la esperanza de sentirse como otra persona en cuestión de semanas. Cuando eso no "
            "ocurre, puede parecer un fracaso, aun cuando ya hay un progreso real en marcha. Puede "
            "ayudarle precisar con su terapeuta cómo se vería realmente el éxito para usted."
        ),
        "questions": [],
    },
    "clinician-not-magician": {
        "title": "Su terapeuta es un profesional clínico, no un mago",
        "body": (
            "Nadie puede agitar una varita mágica y hacer desaparecer lo difícil, ni en la terapia "
            "ni en ningún otro lugar. El progreso viene de hacer el trabajo en conjunto, y gran "
            "parte de ese trabajo consiste en enfrentar las cosas con honestidad y dejar que lo "
            "que va descubriendo produzca un cambio en usted, en lugar de hacerlo a un lado. ¿Le "
            "ha dicho a su terapeuta qué espera del tiempo que comparten? Decirlo les permite a "
            "los dos apuntar a algo realista."
        ),
        "questions": [],
    },
    "short-term-goals": {
        "title": "Elija una meta pequeña que pueda ver",
        "body": (
            "Las grandes esperanzas, como “sentirme mejor” o “ser otra persona”, son difíciles de "
            "seguir semana a semana. Pídale a su terapeuta que acuerde con usted una o dos metas "
            "pequeñas y a corto plazo, cosas que usted podría notar en unas pocas semanas. "
            "Alcanzarlas le muestra que las cosas avanzan, y no alcanzarlas les da a los dos algo "
            "concreto de qué hablar."
        ),
        "questions": [],
    },
    "discomfort-with-therapist": {
        "title": "Si ir a terapia le causa temor, vale la pena decirlo",
        "body": (
            "Es normal sentir nervios antes de hablar de algo doloroso. Sentir temor de ver a su "
            "terapeuta semana tras semana es otra cosa: a menudo significa que la relación en sí "
            "no está funcionando, y eso dificulta el progreso. Intente decirle a su terapeuta cómo "
            "se siente. Puede que tenga que ver con un patrón de otras áreas de su vida que valga "
            "la pena examinar en conjunto."
        ),
        "questions": [],
    },
    "new-therapist-not-failure": {
        "title": "Cambiar de terapeuta no es renunciar a la terapia",
        "body": (
            "El vínculo con su terapeuta influye mucho en qué tan bien funciona la terapia. Los "
            "estilos que chocan, los límites poco claros o simplemente no llegar a congeniar "
            "pueden desgastarlo, y eso es frustrante. Háblelo primero, ya que una conversación "
            "honesta puede aliviar muchas fricciones. Si nada cambia, buscar a otra persona es un "
            "paso razonable, no un fracaso, y no significa que la terapia no sea para usted."
        ),
        "questions": [],
    },
    "homework-between-sessions": {
        "title": "Lo que hace entre sesiones también cuenta",
        "body": (
            "Las tareas pueden sonar a escuela, pero es ahí donde lo que hablaron en el "
            "consultorio se encuentra con su vida diaria. Incluso algo pequeño, como anotar un "
            "pensamiento o probar un hábito nuevo, ayuda a que la sesión continúe después de que "
            "usted se va. Si una tarea le parece demasiado grande, poco clara o inútil, dígaselo a "
            "su terapeuta para que puedan convertirla en algo que de verdad vaya a hacer."
        ),
        "questions": [],
    },
    "life-outside-therapy": {
        "title": "El cambio también ocurre fuera del consultorio",
        "body": (
            "Una hora a la semana es solo una parte del panorama. La terapia puede darle el valor "
            "para cambiar cosas, pero usted ve su efecto cuando pone en práctica esos cambios "
            "durante el resto de la semana. Con su terapeuta, fíjese en qué hábitos le impiden "
            "avanzar y elija uno para trabajar en él. El progreso necesita que usted y su "
            "terapeuta hagan cada uno su parte."
        ),
        "questions": [],
    },
    "hard-sessions-vs-decline": {
        "title": "¿Un mal momento después de una sesión difícil, o peor semana tras semana?",
        "body": (
            "Después de una sesión que remueve recuerdos dolorosos, sentirse a flor de piel o con "
            "inquietud durante uno o dos días puede ser parte del proceso. El progreso rara vez es "
            "una línea recta. Pero sentirse claramente peor en un registro semanal tras otro es "
            "otra cosa, y no es algo que deba esperar a que pase: las investigaciones encuentran "
            "que la mayoría de las personas no empeoran antes de mejorar. Si eso le está pasando, "
            "dígaselo a su terapeuta esta semana y, si se vuelve demasiado, use los números de "
            "crisis de esta página."
        ),
        "questions": [],
    },
    "working-but-unpleasant": {
        "title": "Que sea difícil no siempre significa que no esté funcionando",
        "body": (
            "De algunas sesiones usted sale con enojo, confusión o malestar, porque en ellas se le "
            "pide mirar partes de sí que preferiría evitar. No todas las sesiones le van a "
            "resultar reconfortantes, y algunas se sentirán como puro esfuerzo. Eso puede ser "
            "señal de que se está haciendo un trabajo real. Sin embargo, si a menudo sale "
            "sintiéndose peor, dígalo, para que su terapeuta pueda ayudarle a entenderlo y ajustar "
            "el ritmo."
        ),
        "questions": [],
    },
    "not-ready-yet": {
        "title": "Quizás simplemente no sea el momento adecuado",
        "body": (
            "A veces la vida no deja espacio para la terapia: no hay energía, no hay tiempo libre, "
            "o hay una crisis que le exige todo. En una situación muy difícil, las formas en que "
            "siempre ha sobrellevado las cosas pueden seguir dándole protección, y quizás este no "
            "sea el momento de desarmarlas. Eso no es un fracaso de nadie. Puede hacer una pausa y "
            "regresar cuando las cosas se calmen, y su terapeuta puede ayudarle a decidir."
        ),
        "questions": [],
    },
    "time-and-money": {
        "title": "El tiempo y el dinero son límites reales",
        "body": (
            "La terapia le pide una hora de su semana y bastante paciencia, y a menudo también "
            "cuesta dinero. Verla como una inversión ayuda, pero solo si es una inversión que "
            "usted pueda sostener. Si el costo o el tiempo se están volviendo un obstáculo, "
            "menciónelo: quizás su terapeuta pueda cambiar la frecuencia de las sesiones o "
            "indicarle opciones más económicas, como atención cubierta por su seguro médico."
        ),
        "questions": [],
    },
    "other-kinds-of-therapy": {
        "title": "La terapia de conversación es solo una entre muchas",
        "body": (
            "Sentarse a conversar no es la única forma en que funciona la terapia. Hay enfoques "
            "basados en el arte, la escritura, la música y el teatro; en el cuerpo (como el "
            "trabajo somático); en el juego; en el tiempo al aire libre, y más. Encontrar el "
            "adecuado puede requerir algo de ensayo y error. Si hablar por sí solo no le está "
            "llegando, pregúntele a su terapeuta qué otra cosa podría funcionarle."
        ),
        "questions": [],
    },
    "change-the-approach": {
        "title": "Un enfoque distinto podría funcionarle mejor",
        "body": (
            "A veces lo que no funciona es el formato, no la terapia en sí. A una persona las "
            "sesiones individuales le resultan demasiado intensas y, sin embargo, se abre en un "
            "grupo donde otras personas comparten dificultades parecidas. Cambiar de enfoque no es "
            "señal de fracaso; es parte de encontrar lo que mejor se adapta a usted, un poco como "
            "ajustar una receta médica hasta que le siente bien."
        ),
        "questions": [],
    },
    "medication-as-complement": {
        "title": "Los medicamentos pueden acompañar a la terapia",
        "body": (
            "La terapia no tiene que hacerlo todo sola. Para algunas personas y algunas "
            "afecciones, los medicamentos alivian los síntomas lo suficiente como para que el "
            "trabajo de la terapia por fin pueda dar resultado. Preguntar por ellos es parte de "
            "pedir ayuda, no una señal de que la terapia fracasó. Si se pregunta si podrían "
            "ayudarle, hable con un médico y hágaselo saber a su terapeuta."
        ),
        "questions": [],
    },
    "choosing-to-stop": {
        "title": "Si decide dejar la terapia, háblelo primero",
        "body": (
            "La terapia no es para todos, y decidir dejarla puede ser la decisión correcta. Sin "
            "embargo, dejarla de golpe puede hacer que se sienta más atrás que antes. Plantéelo "
            "primero en una sesión: en conjunto pueden ver otras opciones, acordar cómo ir "
            "cerrando el proceso y dejar la puerta abierta para volver más adelante."
        ),
        "questions": [],
    },
    "therapists-role": {
        "title": "Su terapeuta quiere escuchar esto",
        "body": (
            "Aclarar qué no está funcionando es parte del trabajo de su terapeuta; no es una "
            "ofensa. Su papel es acompañarle desde donde usted está, trabajarlo con usted y, si "
            "por ahora otra cosa le serviría mejor, ayudarle a llegar a ella."
        ),
        "questions": [],
    },
    "keep-it-going": {
        "title": "Las cosas avanzan: reconózcalo y siga adelante",
        "body": (
            "Sus registros semanales muestran que está mejor que cuando empezó. Ese es un progreso "
            "real, y vale la pena reconocerlo, porque es fruto del trabajo que usted está "
            "haciendo. Siga haciendo lo que le ayuda entre sesiones y cuéntele a su terapeuta qué "
            "ha marcado la diferencia, para que puedan seguir construyendo sobre eso en conjunto y "
            "fijar la siguiente meta pequeña."
        ),
        "questions": [],
    },
    # ------------------------------------------------------------------
    # Crisis week (the portal's safety guidance, from neither article)
    # ------------------------------------------------------------------
    "crisis-you-did-the-right-thing": {
        "title": "Decírselo a alguien fue lo correcto",
        "body": (
            "Decir que está en crisis requiere valor, y fue lo correcto. Ya se le avisó a su "
            "terapeuta que revise su registro, pero este portal no se vigila en todo momento, así "
            "que, por favor, no espere a su terapeuta: llame o envíe un mensaje de texto ahora "
            "mismo a uno de los números de arriba, o vaya a la sala de emergencias más cercana si "
            "está en peligro."
        ),
        "questions": [],
    },
    # ------------------------------------------------------------------
    # Therapist pieces
    # ------------------------------------------------------------------
    "therapist-crisis-safety": {
        "title": "Respuesta de crisis: comuníquese con el cliente hoy mismo",
        "body": (
            "Comuníquese con el cliente el mismo día, por teléfono si es posible, y siga el "
            "protocolo de riesgo de su consultorio. Pregunte directamente si tiene pensamientos de "
            "suicidio o de hacerse daño: preguntar no siembra la idea. Revise o elabore con el "
            "cliente un plan de seguridad (señales de alerta, formas de afrontar la situación, "
            "personas y lugares que ayudan, contactos profesionales y de crisis, y cómo hacer más "
            "seguro el entorno). Registre aquí cada paso; si no se registra nada a tiempo, se "
            "avisa al contacto de guardia del consultorio."
        ),
        "questions": [
            "Vi su registro. ¿Está a salvo en este momento?",
            "¿Está teniendo pensamientos de quitarse la vida o de hacerse daño?",
            "¿Quién puede estar con usted hoy, y qué le ha ayudado a salir adelante en otras "
            "ocasiones?",
        ],
    },
    "therapist-open-the-conversation": {
        "title": "Nombre el estancamiento antes de que lo haga el cliente",
        "body": (
            "Los clientes que sienten que la terapia no les está ayudando a menudo no dicen nada y "
            "simplemente dejan de venir. Saque usted el tema, planteándolo como un problema "
            "compartido y no como culpa de nadie: pregunte qué esperaban que cambiara y dónde "
            "sienten que están ahora. El objetivo no es una solución inmediata, sino ver con más "
            "claridad qué hay que ajustar."
        ),
        "questions": [
            "Cuando empezó, ¿qué esperaba que fuera diferente a estas alturas?",
            "¿Qué tan cerca o qué tan lejos de eso se siente en este momento?",
            "¿Hay algo de nuestras sesiones que haya querido decirme y se haya guardado?",
        ],
    },
    "therapist-alliance-rupture": {
        "title": "Malestar en aumento: explore la relación terapéutica",
        "body": (
            "Un malestar o un temor cada vez mayor ante la idea de venir a las sesiones suele "
            "indicar tensión en la relación de trabajo. Las investigaciones vinculan la alianza "
            "con los resultados en cientos de estudios, y una alianza débil con el abandono de la "
            "terapia. Invite al cliente a hablarle de ello sin ponerse a la defensiva; la reacción "
            "puede reflejar un patrón de sus otras relaciones que valga la pena explorar. Si la "
            "tensión continúa, ayude al cliente a encontrar a alguien con quien encaje mejor, en "
            "lugar de dejar que se aleje poco a poco."
        ),
        "questions": [
            "¿Cómo se ha sentido al venir aquí últimamente?",
            "¿Hay algo que yo haga o diga en las sesiones que se lo haga más difícil?",
            "¿Este sentimiento le recuerda otras relaciones de su vida?",
        ],
    },
    "therapist-unmet-expectations": {
        "title": "Expectativas no cumplidas durante semanas: revísenlas en conjunto",
        "body": (
            "Cuando un cliente sigue diciendo que la terapia no está a la altura de lo que "
            "esperaba, pregúntele qué esperaba. Hable con franqueza sobre lo que su enfoque puede "
            "y no puede ofrecer de manera realista, y convierta las esperanzas vagas en una o dos "
            "metas a corto plazo que puedan comprobar en conjunto. Los logros pequeños y visibles "
            "mantienen la motivación y muestran si hace falta cambiar el plan."
        ),
        "questions": [
            "Antes de empezar, ¿cómo se imaginaba que sería la terapia?",
            "Dentro de unas semanas, ¿qué le indicaría que las cosas están avanzando?",
            "¿Qué parte de lo que esperaba siente más lejana en este momento?",
        ],
    },
    "therapist-homework-falling-off": {
        "title": "Las tareas se están quedando sin hacer: averigüe por qué",
        "body": (
            "Las tareas entre sesiones son el punto donde el trabajo de la sesión llega a la vida "
            "diaria, y las investigaciones encuentran que la cantidad de tareas que se realizan se "
            "relaciona con los resultados. Si el cumplimiento está bajando, revise las dos partes: "
            "¿las tareas eran claras, pertinentes y del tamaño adecuado, y qué se interpuso? "
            "Ajuste las tareas con el cliente en lugar de simplemente asignar más, y vincúlelas "
            "con un hábito que el cliente quiera cambiar."
        ),
        "questions": [
            "¿Qué pasó con la tarea de la última vez?",
            "¿Le pareció útil, o sintió que no venía al caso?",
            "¿Qué le facilitaría hacer un espacio en su semana para algo entre sesiones?",
        ],
    },
    "therapist-no-improvement": {
        "title": "Muchas sesiones, poco cambio: revise el plan",
        "body": (
            "En las investigaciones sobre la relación dosis-efecto, alrededor de la mitad de los "
            "clientes mejora hacia la sesión 8 y tres de cada cuatro hacia la sesión 26, así que "
            "una tendencia plana después de una docena de sesiones merece una revisión, no "
            "simplemente más de lo mismo. Revise con el cliente la formulación del caso y el plan "
            "de tratamiento. Considere si otro enfoque, un formato grupal o una evaluación para "
            "medicamentos le servirían mejor."
        ),
        "questions": [
            "Al repasar nuestras sesiones, ¿qué ha cambiado para usted, si es que algo ha "
            "cambiado?",
            "¿Qué ha sido lo más útil y lo menos útil de nuestra forma de trabajar?",
            "¿Qué le parecería probar otra forma de trabajar?",
        ],
    },
    "therapist-early-sessions": {
        "title": "Impaciencia temprana: acuerden un plazo en conjunto",
        "body": (
            "Un cliente que lleva apenas unas pocas sesiones puede estar ya preguntándose si la "
            "terapia funciona. Reconozca su impaciencia, explíquele que el cambio suele tomar más "
            "que unas pocas sesiones y acuerden un momento para revisar el progreso en conjunto. "
            "Así, la espera se convierte en un plan."
        ),
        "questions": [
            "¿Dónde esperaba estar a estas alturas?",
            "¿Qué necesitaría ver para sentir que vale la pena continuar?",
            "¿Cuándo le parece que nos sentemos a revisar el progreso?",
        ],
    },
    "therapist-deterioration": {
        "title": "El bienestar está bajando: tómelo en serio",
        "body": (
            "Un descenso claro del bienestar a lo largo de dos o más registros es una señal de "
            "alerta, no el bajón esperado antes de la recuperación: las investigaciones encuentran "
            "que los clientes rara vez muestran un empeoramiento confiable antes de mejorar, y que "
            "los clínicos tienden a no detectar quién se está deteriorando si no se les muestran "
            "los datos. No intente disiparlo tranquilizando al cliente. Pregunte qué ha cambiado, "
            "evalúe el riesgo y revise el plan de tratamiento, incluido si hace falta más apoyo u "
            "otro tipo de atención."
        ),
        "questions": [
            "Últimamente ha calificado sus semanas más bajo. ¿Qué ha estado pasando?",
            "¿Ha tenido pensamientos de hacerse daño o de no querer seguir en este mundo?",
            "¿Hay algo en la terapia misma que esté haciendo las cosas más difíciles ahora?",
        ],
    },
    "therapist-worse-after-sessions": {
        "title": "El cliente sale de las sesiones sintiéndose peor, una y otra vez",
        "body": (
            "Quedar con las emociones removidas después de una sesión difícil puede ser parte del "
            "trabajo. Sin embargo, cuando ocurre una y otra vez, revise el ritmo, la forma en que "
            "terminan las sesiones y si el cliente tiene maneras de estabilizarse después. "
            "Pregúntele cómo lo vive, en lugar de suponer que el malestar es productivo."
        ),
        "questions": [
            "¿Cómo se siente normalmente en las horas después de nuestras sesiones?",
            "¿Hay algún momento de nuestras sesiones en que empieza a ser demasiado para usted?",
            "¿Qué le ayuda a calmarse después de una sesión difícil, y podríamos incorporar más "
            "de eso?",
        ],
    },
    "therapist-dropout-risk": {
        "title": "Ya no llegan registros: comuníquese con el cliente",
        "body": (
            "Un cliente que deja de dar señales puede estar a punto de irse sin decirlo. "
            "Comuníquese con calidez y sin culpar. Si quiere dejar la terapia, abra un espacio "
            "para hablarlo, de modo que puedan ver otras opciones en conjunto y cerrar bien, "
            "dejando la puerta abierta para que vuelva más adelante."
        ),
        "questions": [
            "Noté que dejaron de llegar sus registros. ¿Cómo van las cosas?",
            "¿Ha estado pensando en tomarse un descanso de la terapia?",
            "Si quisiera dejar la terapia, ¿cómo le gustaría que termináramos?",
        ],
    },
    "therapist-barriers": {
        "title": "El tiempo o el dinero se interponen",
        "body": (
            "La terapia cuesta tiempo, paciencia y a menudo dinero, y esos límites son reales. "
            "Cuando un cliente menciona cualquiera de los dos, pregúntele abiertamente y busque "
            "ajustes prácticos, como la frecuencia, los honorarios, el horario de las sesiones o "
            "un servicio de menor costo, en lugar de interpretarlos como resistencia."
        ),
        "questions": [
            "¿Qué le ha dificultado hacer espacio para la terapia últimamente?",
            "¿El costo se está volviendo una preocupación para usted?",
            "¿Le sería más fácil seguir viniendo con otro horario o con otra frecuencia de "
            "sesiones?",
        ],
    },
    "therapist-not-ready": {
        "title": "Acontecimientos de la vida: acompañe al cliente donde está",
        "body": (
            "Cuando un cliente atraviesa una gran sacudida en su vida, puede tener poca energía "
            "para un trabajo profundo, y sus defensas de siempre pueden seguir protegiéndolo. "
            "Explore cualquier reticencia, pero acepte que quizás ahora no sea el momento de "
            "grandes cambios. Oriente el trabajo hacia el apoyo y la estabilización, o acuerden "
            "una pausa, y deje claro que siempre es posible volver más adelante."
        ),
        "questions": [
            "¿Qué es lo que más energía le está quitando en este momento?",
            "Mientras pasa por esto, ¿qué le sería más útil de nuestras sesiones?",
            "¿Le ayudaría bajar el ritmo, o hacer una pausa por un tiempo?",
        ],
    },
    "therapist-medication-and-other-care": {
        "title": "Considere medicamentos o una atención más intensiva",
        "body": (
            "Algunas afecciones responden poco a la terapia de conversación por sí sola, sobre "
            "todo cuando los síntomas son graves o el funcionamiento diario está muy limitado. Los "
            "medicamentos o un tratamiento más intensivo pueden estabilizar la situación lo "
            "suficiente para que la terapia dé resultado. Plantéele la opción al cliente y "
            "sugiérale que hable con un médico."
        ),
        "questions": [
            "¿Cuánto le están afectando sus síntomas en la vida diaria en este momento?",
            "¿Qué le parecería hablar con un médico sobre un apoyo adicional?",
        ],
    },
    "therapist-change-the-approach": {
        "title": "Considere otro tipo de terapia",
        "body": (
            "Si un formato no le está llegando al cliente, puede que otro sí: el trabajo en grupo, "
            "las terapias basadas en el arte, los enfoques somáticos o corporales, entre otros. "
            "Probar un enfoque nuevo es parte de encontrar lo que mejor le funciona, no una prueba "
            "de que la terapia fracasó, y cuanto mejor conozca al cliente, más fácil será elegir."
        ),
        "questions": [
            "¿Hay momentos en que hablar no parece ser suficiente?",
            "¿Alguna vez le ha resultado más fácil expresarse por medio de algo que no sean "
            "palabras?",
            "¿Qué le parecería trabajar en un grupo con otras personas que tienen dificultades "
            "parecidas?",
        ],
    },
    # ------------------------------------------------------------------
    # Closing piece: always shown last
    # ------------------------------------------------------------------
    "raise-it-with-your-therapist": {
        "title": "Llévelo a su próxima sesión",
        "body": (
            "Lo que haya notado esta semana, ya sea impaciencia, incomodidad, tareas sin hacer o "
            "simplemente la sensación de que algo no anda bien, su próxima sesión es el lugar para "
            "decirlo. No necesita encontrar las palabras exactas; “Quería hablar de cómo va la "
            "terapia” basta para empezar. Una conversación honesta con su terapeuta es el mejor "
            "primer paso."
        ),
        "questions": [],
    },
}
